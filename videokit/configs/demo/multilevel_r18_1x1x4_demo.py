# The bundled demo (`videokit demo`): a ResNet-18 from scratch with a procedure head and a step head
# (MultiLevelHead) on the synthetic NurViD-style dataset, 4 segments of 64x64, CPU in minutes.
# The demo writes its data under $VIDEOKIT_DEMO_ROOT (default: demo_output).
_base_ = ['../_base_/default_runtime.py']

data_root = '{{$VIDEOKIT_DEMO_ROOT:demo_output}}'
ann_file = data_root + '/converted/demo.canonical.json'
video_root = data_root + '/videos'
taxonomy_file = data_root + '/converted/taxonomy.csv'

model = dict(
    type='Recognizer2D',
    backbone=dict(type='ResNet', depth=18, pretrained=None, norm_eval=False),
    cls_head=dict(type='MultiLevelHead', levels=['procedure', 'action'], taxonomy_file=taxonomy_file,
                  in_channels=512, dropout_ratio=0.2),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[127.5, 127.5, 127.5], std=[64.0, 64.0, 64.0],
                           format_shape='NCHW'))

sampler = dict(type='SampleTimeRangeFrames', clip_len=1, num_clips=4)
train_pipeline = [
    dict(type='VideoInit'), sampler, dict(type='VideoDecode'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCHW'), dict(type='PackActionInputs')]
test_pipeline = [
    dict(type='VideoInit'), dict(sampler, test_mode=True), dict(type='VideoDecode'),
    dict(type='Resize', scale=(64, 64), keep_ratio=False),
    dict(type='FormatShape', input_format='NCHW'), dict(type='PackActionInputs')]
dataset = dict(type='SegmentClipDataset', ann_file=ann_file, level='action', multi_level_label=True,
               data_prefix=dict(video=video_root))
train_dataloader = dict(batch_size=8, num_workers=2, persistent_workers=False,
                        sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(dataset, split='train', pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, num_workers=2, persistent_workers=False,
                      sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(dataset, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(batch_size=8, num_workers=2, persistent_workers=False,
                       sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset=dict(dataset, split='test', pipeline=test_pipeline, test_mode=True))
val_evaluator = [dict(type='RecognitionMetric', topk=(1, 5)), dict(type='HierarchyMetric')]
test_evaluator = val_evaluator

max_epochs = 12
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4), clip_grad=dict(max_norm=10))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True)]
default_hooks = dict(logger=dict(interval=4), checkpoint=dict(interval=4, save_best=None, max_keep_ckpts=1))
randomness = dict(seed=0, deterministic=False)
