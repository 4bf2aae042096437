# TriDet (CVPR 2023): Scalable-Granularity Perception encoder and the Trident head (boundaries as
# distributions over 16 neighbouring positions per level).
_base_ = ['./detection_conv.py']
model = dict(neck=dict(_delete_=True, type='SGPPyramid', kernel_size=3, k=1.5, stem_blocks=2),
             head=dict(_delete_=True, type='TridentHead', num_convs=2, num_bins=16))
