# Video Swin-T.
# Initial weights (the papers' start): Video Swin-T 32x2x1 on Kinetics-400 (zoo: swin-
# tiny-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_kinetics400-rgb).
# Fetched with a hash check into the cache by `videokit weights fetch` or the first tools/train.py run
# ($VIDEOKIT_WEIGHTS_MIRROR for a local copy of the zoo); train from random weights with
# --cfg-options load_from=None.
load_from = 'https://download.openmmlab.com/mmaction/v1.0/recognition/swin/swin-tiny-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_kinetics400-rgb/swin-tiny-p244-w877_in1k-pre_8xb8-amp-32x2x1-30e_kinetics400-rgb_20220930-241016b2.pth'
model = dict(
    type='Recognizer3D',
    backbone=dict(type='SwinTransformer3D', arch='tiny', pretrained=None, pretrained2d=False, patch_size=(2, 4, 4),
                  window_size=(8, 7, 7), mlp_ratio=4.0, qkv_bias=True, qk_scale=None, drop_rate=0.0,
                  attn_drop_rate=0.0, drop_path_rate=0.1, patch_norm=True),
    cls_head=dict(type='I3DHead', in_channels=768, num_classes=400, spatial_type='avg', dropout_ratio=0.5,
                  average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], format_shape='NCTHW'))
