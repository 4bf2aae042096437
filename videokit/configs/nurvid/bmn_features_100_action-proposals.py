# The classic baseline: mmaction2's BMN (class-agnostic proposals, AR@AN) on the same features as the
# detector, resampled to 100 snippets: tools/extract_features.py ... --fixed-length 100 --out $NURVID_FEATURES_100
_base_ = ['../_base_/default_runtime.py']
feature_dir = '{{$NURVID_FEATURES_100:data/nurvid/features_100}}'
ann_file = '{{$NURVID_ANNOTATIONS:annotations/nurvid/annotations.json}}'
model = dict(type='BMN', temporal_dim=100, boundary_ratio=0.5, num_samples=32, num_samples_per_bin=3,
             feat_dim=2048, soft_nms_alpha=0.4, soft_nms_low_threshold=0.5, soft_nms_high_threshold=0.9,
             post_process_top_k=100)
meta_keys = ('video_name', 'duration_second', 'duration_frame', 'annotations', 'feature_frame')
train_pipeline = [dict(type='LoadFeatureArray'), dict(type='GenerateLocalizationLabels'),
                  dict(type='PackLocalizationInputs', keys=('gt_bbox', ), meta_keys=meta_keys)]
test_pipeline = [dict(type='LoadFeatureArray'), dict(type='PackLocalizationInputs', meta_keys=meta_keys)]
dataset = dict(type='ProposalFeatureDataset', ann_file=ann_file, feature_dir=feature_dir, level='action')
train_dataloader = dict(batch_size=8, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=True),
                        dataset=dict(dataset, split='train', pipeline=train_pipeline))
val_dataloader = dict(batch_size=1, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=False),
                      dataset=dict(dataset, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(batch_size=1, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=False),
                       dataset=dict(dataset, split='test', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='ANetMetric', metric_type='AR@AN', dump_config=dict(out='proposals.json',
                                                                             output_format='json'))
test_evaluator = val_evaluator
max_epochs = 9
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=3)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.001, weight_decay=0.0001))
param_scheduler = [dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[7], gamma=0.1)]
custom_hooks = []
