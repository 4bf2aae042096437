# Runtime shared by every videokit config (mmengine Runner settings).
default_scope = 'mmaction'
custom_imports = dict(imports=['videokit.register'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, save_best='auto', max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))
# reports, at the end of each epoch, the unreadable videos the loader skipped
custom_hooks = [dict(type='SkippedVideosHook')]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))  # tools/train.py switches to gloo when there is no GPU

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
# Training curves: VIDEOKIT_TENSORBOARD=1 adds mmengine's TensorBoard backend beside the local one
# (event files in <work_dir>/<timestamp>/vis_data; `pip install -e .[tensorboard]`, then
# `tensorboard --logdir work_dirs`).
tensorboard = '{{$VIDEOKIT_TENSORBOARD:0}}' not in ('', '0', 'false', 'no')
vis_backends = [dict(type='LocalVisBackend')] + ([dict(type='TensorboardVisBackend')] if tensorboard else [])
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
resume = False
