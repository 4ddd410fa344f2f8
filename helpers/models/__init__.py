"""Networks, one family per file (as torchvision's ``models/`` does).

``helpers.models.lenet``      LeNet-5 as in the 1998 paper, and a modern LeNet
``helpers.models.prototypes`` the 7x12 digit bitmaps of LeNet-5's RBF output
``helpers.models.blocks``     layers the networks are built from (LocallyConnected2d)
``helpers.models.alexnet``    AlexNet, torchvision's single-tower layout
``helpers.models.pretrained`` LeNet-5 and the modern LeNet with shipped trained weights
``helpers.models.vgg``        VGG-11 and VGG-16
``helpers.models.googlenet``  GoogLeNet (Inception v1)
``helpers.models.resnet``     ResNet-18 and -50, and small plain/residual nets for the digits
``helpers.models.senet``      squeeze-and-excitation and SE-ResNet-50
``helpers.models.densenet``   DenseNet-121
``helpers.models.convnext``   ConvNeXt-T
``helpers.models.attention``  CBAM, the non-local block, ViT's patch embedding

The ImageNet constructors take ``num_classes=1000`` and match torchvision's parameter counts exactly.

>>> import torch
>>> LeNet5()(torch.zeros(2, 1, 32, 32)).shape   # 10 RBF penalties per image
torch.Size([2, 10])
"""

from helpers.models.alexnet import alexnet
from helpers.models.blocks import LocallyConnected2d
from helpers.models.convnext import convnext_tiny
from helpers.models.densenet import densenet121
from helpers.models.googlenet import googlenet
from helpers.models.lenet import LeNet5, ModernLeNet
from helpers.models.resnet import SmallNet, resnet18, resnet50
from helpers.models.senet import se_resnet50
from helpers.models.vgg import vgg11, vgg16

__all__ = ["LeNet5", "ModernLeNet", "LocallyConnected2d", "SmallNet", "alexnet", "vgg11", "vgg16", "googlenet",
           "resnet18", "resnet50", "se_resnet50", "densenet121", "convnext_tiny"]
