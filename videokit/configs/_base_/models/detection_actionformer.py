# ActionFormer (ECCV 2022): the conv detector with the encoder swapped for transformer blocks with
# local-window self-attention (2 at full resolution, 1 per further level, window 19, 4 heads).
_base_ = ['./detection_conv.py']
model = dict(neck=dict(_delete_=True, type='LocalAttentionPyramid', num_heads=4, window_size=19, stem_blocks=2))
