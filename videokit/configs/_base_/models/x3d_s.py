# X3D-S.
# Initial weights (the papers' start): X3D-S 13x6x1 on Kinetics-400 (zoo: x3d_s_13x6x1_facebook-kinetics400-rgb).
# Fetched with a hash check into the cache by `videokit weights fetch` or the first tools/train.py run
# ($VIDEOKIT_WEIGHTS_MIRROR for a local copy of the zoo); train from random weights with
# --cfg-options load_from=None.
load_from = 'https://download.openmmlab.com/mmaction/v1.0/recognition/x3d/facebook/x3d_s_13x6x1_facebook-kinetics400-rgb_20201027-623825a0.pth'
model = dict(
    type='Recognizer3D',
    backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=2.2),
    cls_head=dict(type='X3DHead', in_channels=432, num_classes=400, spatial_type='avg', dropout_ratio=0.5,
                  fc1_bias=False, average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[114.75, 114.75, 114.75],
                           std=[57.38, 57.38, 57.38], format_shape='NCTHW'))
