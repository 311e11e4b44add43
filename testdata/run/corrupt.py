"""Makes damaged copies of files for the error-path tests.
Usage: corrupt.py MODE IN OUT
  truncate:N   keep the first N bytes (negative: drop the last -N)
  flip:N       invert byte N (negative: from the end)
  version:V    set the .rx format version field to V (checksum recomputed, so only the version is wrong)
  crc          recompute the .rx checksum (after an edit)"""
import struct
import sys
import zlib

mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
data = bytearray(open(src, "rb").read())
kind, _, arg = mode.partition(":")


def fix_crc(buf):
    buf[-8:-4] = struct.pack("<I", zlib.crc32(bytes(buf[:-8])))


if kind == "truncate":
    n = int(arg)
    data = data[:n] if n >= 0 else data[:n]
elif kind == "flip":
    data[int(arg)] ^= 0xFF
elif kind == "version":
    data[8:12] = struct.pack("<I", int(arg))
    fix_crc(data)
elif kind == "crc":
    fix_crc(data)
else:
    sys.exit(f"unknown mode {mode}")
open(dst, "wb").write(bytes(data))
