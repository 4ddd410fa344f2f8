"""Networks, one family per file (as torchvision's ``models/`` does).

``helpers.models.lenet``      LeNet-5 as in the 1998 paper, and a modern LeNet
``helpers.models.prototypes`` the 7x12 digit bitmaps of LeNet-5's RBF output
``helpers.models.blocks``     layers the networks are built from (LocallyConnected2d)
``helpers.models.alexnet``    AlexNet, torchvision's single-tower layout

>>> import torch
>>> LeNet5()(torch.zeros(2, 1, 32, 32)).shape   # 10 RBF penalties per image
torch.Size([2, 10])
"""

from helpers.models.alexnet import alexnet
from helpers.models.blocks import LocallyConnected2d
from helpers.models.lenet import LeNet5, ModernLeNet

__all__ = ["LeNet5", "ModernLeNet", "LocallyConnected2d", "alexnet"]
