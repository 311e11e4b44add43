# The PyTorch models behind testdata/models/: small ResNet and MobileNetV2 written in
# torchvision's style (same module structure, so the same traced operators as torchvision's
# resnet18 / mobilenet_v2), a BERT-style encoder and a GPT-2-style decoder written in the style
# of Hugging Face's modeling code, and the seeded initialisation they all share. Each model is
# written so that torch.fx.symbolic_trace records it as TVM's FX importer expects (sizes taken
# with x.size(i), masks and position ids as constants, GELU-tanh through F.gelu).
import math

import torch
import torch.nn.functional as F
from torch import nn


def randomize_norms(model, generator):
    """Gives every BatchNorm/LayerNorm random affine parameters and running statistics: the
    defaults (weight 1, bias 0, mean 0, var 1) would hide a compiler that swaps or drops them."""
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm2d, nn.LayerNorm)):
            with torch.no_grad():
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.normal_(0.0, 0.1, generator=generator)
        if isinstance(module, nn.BatchNorm2d):
            with torch.no_grad():
                module.running_mean.normal_(0.0, 0.1, generator=generator)
                module.running_var.uniform_(0.5, 1.5, generator=generator)


# ---- ResNet (torchvision.models.resnet, BasicBlock) ------------------------------------------

class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, widths=(8, 16, 32, 64), num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        inplanes = widths[0]
        for i, planes in enumerate(widths):
            stride = 1 if i == 0 else 2
            setattr(self, "layer%d" % (i + 1), nn.Sequential(BasicBlock(inplanes, planes, stride)))
            inplanes = planes
        self.stages = len(widths)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(self.stages):
            x = getattr(self, "layer%d" % (i + 1))(x)
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


# ---- MobileNetV2 (torchvision.models.mobilenetv2) --------------------------------------------

class ConvBNReLU6(nn.Sequential):
    def __init__(self, inp, oup, kernel_size=3, stride=1, groups=1):
        super().__init__(
            nn.Conv2d(inp, oup, kernel_size, stride, (kernel_size - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(oup), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = [] if expand_ratio == 1 else [ConvBNReLU6(inp, hidden, kernel_size=1)]
        layers += [ConvBNReLU6(hidden, hidden, stride=stride, groups=hidden),  # depthwise
                   nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    # (expand ratio t, channels c, repeats n, first stride s), as torchvision's table.
    SETTING = [[1, 8, 1, 1], [6, 12, 2, 2], [6, 16, 2, 2], [6, 24, 1, 1]]

    def __init__(self, first=8, last=64, num_classes=10):
        super().__init__()
        features = [ConvBNReLU6(3, first, stride=2)]
        inp = first
        for t, c, n, s in self.SETTING:
            for i in range(n):
                features.append(InvertedResidual(inp, c, s if i == 0 else 1, t))
                inp = c
        features.append(ConvBNReLU6(inp, last, kernel_size=1))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


# ---- BERT-style encoder ----------------------------------------------------------------------

class BertSelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(0.1)

    def split_heads(self, x, batch, seq):
        return x.view(batch, seq, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, h, additive_mask):
        batch, seq, hidden = h.size(0), h.size(1), h.size(2)
        q = self.split_heads(self.query(h), batch, seq)
        k = self.split_heads(self.key(h), batch, seq)
        v = self.split_heads(self.value(h), batch, seq)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = self.dropout(F.softmax(scores + additive_mask, dim=-1))
        context = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return context.view(batch, seq, hidden)


class BertLayer(nn.Module):
    def __init__(self, hidden, heads, intermediate, eps):
        super().__init__()
        self.attention = BertSelfAttention(hidden, heads)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.gelu = nn.GELU()  # the erf form
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(0.1)

    def forward(self, h, additive_mask):
        attended = self.dropout(self.attention_output(self.attention(h, additive_mask)))
        h = self.attention_norm(attended + h)
        out = self.dropout(self.output(self.gelu(self.intermediate(h))))
        return self.output_norm(out + h)


class BertEncoder(nn.Module):
    """Token + position embeddings, `layers` encoder layers, and a per-token classifier. Token
    id 0 is padding: the attention mask is derived from the ids, as BERT's (1 - mask) * -10000."""

    def __init__(self, vocab=50, hidden=32, heads=2, intermediate=64, layers=2, max_positions=16,
                 seq=8, labels=4, eps=1e-12):
        super().__init__()
        self.seq = seq
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(max_positions, hidden)
        self.register_buffer("position_ids", torch.arange(max_positions).expand((1, -1)))
        self.embeddings_norm = nn.LayerNorm(hidden, eps=eps)
        self.dropout = nn.Dropout(0.1)
        self.layers = nn.ModuleList(BertLayer(hidden, heads, intermediate, eps) for _ in range(layers))
        self.classifier = nn.Linear(hidden, labels)

    def forward(self, input_ids):
        keep = (input_ids != 0).to(torch.float32)
        additive_mask = ((1.0 - keep) * -10000.0).view(input_ids.size(0), 1, 1, input_ids.size(1))
        positions = self.position_ids[:, :self.seq]
        h = self.word_embeddings(input_ids) + self.position_embeddings(positions)
        h = self.dropout(self.embeddings_norm(h))
        for layer in self.layers:
            h = layer(h, additive_mask)
        return self.classifier(h)


# ---- GPT-2-style decoder ---------------------------------------------------------------------

class GPT2Attention(nn.Module):
    def __init__(self, embed, heads, positions, seq):
        super().__init__()
        self.embed, self.heads, self.head_dim, self.seq = embed, heads, embed // heads, seq
        self.c_attn = nn.Linear(embed, 3 * embed)
        self.c_proj = nn.Linear(embed, embed)
        causal = torch.tril(torch.ones(positions, positions, dtype=torch.bool))
        self.register_buffer("bias", causal.view(1, 1, positions, positions), persistent=False)
        self.attn_dropout = nn.Dropout(0.1)
        self.resid_dropout = nn.Dropout(0.1)

    def split_heads(self, x, batch, seq):
        return x.view(batch, seq, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x):
        batch, seq = x.size(0), x.size(1)
        qkv = self.c_attn(x).split(self.embed, dim=2)  # indexed: FX cannot unpack on Python 3.11
        query, key, value = qkv[0], qkv[1], qkv[2]
        query = self.split_heads(query, batch, seq)
        key = self.split_heads(key, batch, seq)
        value = self.split_heads(value, batch, seq)
        weights = torch.matmul(query, key.transpose(-1, -2)) / math.sqrt(self.head_dim)
        causal = self.bias[:, :, :self.seq, :self.seq]
        # GPT-2's torch.where(causal_mask, w, finfo.min); a constant, not a traced torch.full.
        mask_value = torch.full([], torch.finfo(torch.float32).min)
        weights = self.attn_dropout(F.softmax(torch.where(causal, weights, mask_value), dim=-1))
        out = torch.matmul(weights, value).permute(0, 2, 1, 3).contiguous().view(batch, seq, self.embed)
        return self.resid_dropout(self.c_proj(out))


class GPT2MLP(nn.Module):
    def __init__(self, embed):
        super().__init__()
        self.c_fc = nn.Linear(embed, 4 * embed)
        self.c_proj = nn.Linear(4 * embed, embed)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        # F.gelu, not nn.GELU(approximate="tanh"): TVM's importer reads `approximate` from the
        # call's keywords only, so the module form would be imported as the erf GELU.
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x), approximate="tanh")))


class GPT2Block(nn.Module):
    def __init__(self, embed, heads, positions, seq, eps):
        super().__init__()
        self.ln_1 = nn.LayerNorm(embed, eps=eps)
        self.attn = GPT2Attention(embed, heads, positions, seq)
        self.ln_2 = nn.LayerNorm(embed, eps=eps)
        self.mlp = GPT2MLP(embed)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(nn.Module):
    """Token + position embeddings, `layers` decoder blocks, a final LayerNorm and an LM head
    tied to the token embedding (one parameter, as GPT-2)."""

    def __init__(self, vocab=50, embed=32, heads=2, layers=2, positions=16, seq=8, eps=1e-5):
        super().__init__()
        self.seq = seq
        self.wte = nn.Embedding(vocab, embed)
        self.wpe = nn.Embedding(positions, embed)
        self.drop = nn.Dropout(0.1)
        self.h = nn.ModuleList(GPT2Block(embed, heads, positions, seq, eps) for _ in range(layers))
        self.ln_f = nn.LayerNorm(embed, eps=eps)
        self.lm_head = nn.Linear(embed, vocab, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, input_ids):
        positions = torch.arange(self.seq)
        x = self.drop(self.wte(input_ids) + self.wpe(positions))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))
