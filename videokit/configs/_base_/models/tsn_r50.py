# TSN with a ResNet-50.
# Initial weights (the papers' start): TSN-R50 1x1x8 on Kinetics-400 (zoo: tsn_imagenet-
# pretrained-r50_8xb32-1x1x8-100e_kinetics400-rgb).
# Fetched with a hash check into the cache by `videokit weights fetch` or the first tools/train.py run
# ($VIDEOKIT_WEIGHTS_MIRROR for a local copy of the zoo); train from random weights with
# --cfg-options load_from=None.
load_from = 'https://download.openmmlab.com/mmaction/v1.0/recognition/tsn/tsn_imagenet-pretrained-r50_8xb32-1x1x8-100e_kinetics400-rgb/tsn_imagenet-pretrained-r50_8xb32-1x1x8-100e_kinetics400-rgb_20220906-2692d16c.pth'
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', depth=50, pretrained=None, norm_eval=False),
    cls_head=dict(type='TSNHead', num_classes=400, in_channels=2048, spatial_type='avg',
                  consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.4, init_std=0.01,
                  average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], format_shape='NCHW'))
