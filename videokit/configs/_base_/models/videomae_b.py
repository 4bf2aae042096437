# VideoMAE ViT-B/16 (16 frames).
# Initial weights (the papers' start): VideoMAE ViT-B/16 16x4x1 on Kinetics-400 (zoo: vit-
# base-p16_videomae-k400-pre_16x4x1_kinetics-400).
# Fetched with a hash check into the cache by `videokit weights fetch` or the first tools/train.py run
# ($VIDEOKIT_WEIGHTS_MIRROR for a local copy of the zoo); train from random weights with
# --cfg-options load_from=None.
load_from = 'https://download.openmmlab.com/mmaction/v1.0/recognition/videomae/vit-base-p16_videomae-k400-pre_16x4x1_kinetics-400_20221013-860a3cd3.pth'
model = dict(
    type='Recognizer3D',
    backbone=dict(type='VisionTransformer', img_size=224, patch_size=16, embed_dims=768, depth=12, num_heads=12,
                  mlp_ratio=4, qkv_bias=True, num_frames=16, norm_cfg=dict(type='LN', eps=1e-6),
                  drop_path_rate=0.1),
    cls_head=dict(type='TimeSformerHead', num_classes=400, in_channels=768, average_clips='prob'),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375], format_shape='NCTHW'))
