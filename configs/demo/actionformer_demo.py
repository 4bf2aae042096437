# The demo's detection stage: the ActionFormer-class detector on features the demo's trained
# recognizer extracted (tools/extract_features.py), steps localized in untrimmed demo videos.
_base_ = ['../_base_/default_runtime.py']
data_root = '{{$VIDEOKIT_DEMO_ROOT:demo_output}}'
ann_file = data_root + '/converted/demo.canonical.json'
feature_dir = data_root + '/features'

model = dict(type='TemporalActionDetector', in_channels=512, num_classes=12, embed_dims=128, num_levels=4,
             test_cfg=dict(nms='soft', sigma=0.5, max_seg_num=50))
dataset = dict(type='FeatureDetectionDataset', ann_file=ann_file, feature_dir=feature_dir, level='action')
train_dataloader = dict(batch_size=4, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=True),
                        collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='train', max_seq_len=256))
val_dataloader = dict(batch_size=4, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                      collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='val', test_mode=True))
test_dataloader = dict(batch_size=4, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=False),
                       collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='test', test_mode=True))
val_evaluator = dict(type='DetectionMetric', tiou=(0.3, 0.4, 0.5, 0.6, 0.7))
test_evaluator = val_evaluator

max_epochs = 40
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05), clip_grad=dict(max_norm=1.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True)]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, save_best=None, max_keep_ckpts=1))
custom_hooks = []
randomness = dict(seed=0)
