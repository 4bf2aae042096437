# Temporal detection on extracted features: one sequence per video (training crops to max_seq_len).
# Task configs set ann_file, feature_dir and level for the three loaders.
dataset = dict(type='FeatureDetectionDataset', ann_format='canonical')
train_dataloader = dict(batch_size=2, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=True),
                        collate_fn=dict(type='pseudo_collate'),
                        dataset=dict(dataset, split='train', max_seq_len=2304))
val_dataloader = dict(batch_size=1, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=False),
                      collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='val', test_mode=True))
test_dataloader = dict(batch_size=1, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=False),
                       collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='test', test_mode=True))
val_evaluator = dict(type='DetectionMetric', tiou=(0.3, 0.4, 0.5, 0.6, 0.7))
test_evaluator = val_evaluator

max_epochs = 35
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05), clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=30, eta_min=1e-6, by_epoch=True, begin=5, end=max_epochs)]
