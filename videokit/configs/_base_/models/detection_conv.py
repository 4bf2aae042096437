# videokit's conv detector: masked conv projection, max-pool + residual-conv pyramid (6 levels), point
# head (cls + distance regression), focal + DIoU, per-class soft-NMS. On R50 features (2048-d).
model = dict(type='DenseTemporalDetector', in_channels=2048, num_classes=20, embed_dims=256, num_levels=6,
             center_radius=1.5,
             projection=dict(type='ConvProjection', num_convs=2),
             neck=dict(type='ConvPyramid'),
             head=dict(type='PointHead', num_convs=2),
             loss_cls=dict(type='TemporalFocalLoss'), loss_reg=dict(type='TemporalDIoULoss'),
             test_cfg=dict(type='SegmentPostProcessor', nms='soft', sigma=0.5, max_seg_num=200, pre_nms_topk=2000))
