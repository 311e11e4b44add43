"""Writes the 4443 FashionMNIST test images as the float32 (4443, 784) array the MLP takes:
the stored uint8 pixels divided by 255, exactly the chapter's ToTensor() values.
Usage: prepare_fashion_mnist.py INPUTS_DIR OUT.npy [nchw]   (nchw: shape (4443, 1, 28, 28) for the CNN)"""
import sys

import numpy as np

images = np.load(f"{sys.argv[1]}/fashion_mnist/test_images_u8.npz")["images"]
shape = (len(images), 1, 28, 28) if sys.argv[3:] == ["nchw"] else (len(images), -1)
np.save(sys.argv[2], (images.reshape(shape) / 255).astype(np.float32))
