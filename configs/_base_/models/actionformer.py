# The ActionFormer-class detector (videokit's TemporalActionDetector) on extracted features
# (tools/extract_features.py; 2048 channels for R50 backbones).
model = dict(type='TemporalActionDetector', in_channels=2048, num_classes=20, embed_dims=256, num_levels=6,
             center_radius=1.5, test_cfg=dict(nms='soft', sigma=0.5, max_seg_num=200, pre_nms_topk=2000))
