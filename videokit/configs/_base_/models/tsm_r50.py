# TSM with a ResNet-50 (8 segments).
# Initial weights (the papers' start): TSM-R50 1x1x8 on Kinetics-400 (mmaction2 zoo: tsm_imagenet-
# pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb).
# Fetched with a hash check into the cache by `videokit weights fetch` or the first tools/train.py run
# ($VIDEOKIT_WEIGHTS_MIRROR for a local copy of the zoo); train from random weights with
# --cfg-options load_from=None.
load_from = 'https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb_20220831-64d69186.pth'
model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNetTSM', depth=50, pretrained=None, pretrained2d=False, num_segments=8, shift_div=8,
                  norm_eval=False),
    cls_head=dict(type='TSMHead', num_classes=400, in_channels=2048, num_segments=8, spatial_type='avg',
                  consensus=dict(type='AvgConsensus', dim=1), dropout_ratio=0.5, init_std=0.001,
                  is_shift=True, average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], format_shape='NCHW'))
