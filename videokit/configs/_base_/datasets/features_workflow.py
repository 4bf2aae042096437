# Online workflow tasks on extracted features: per video, one causal feature per step (1 fps), the
# current phase and the time until each phase starts. Task configs set ann_file, feature_dir, level
# and horizon (seconds) for the three loaders.
dataset = dict(type='WorkflowFeatureDataset', ann_format='canonical', fps=1.0, baseline_split='train')
train_dataloader = dict(batch_size=4, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=True),
                        collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='train'))
val_dataloader = dict(batch_size=1, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=False),
                      collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='val', test_mode=True))
test_dataloader = dict(batch_size=1, num_workers=2, sampler=dict(type='DefaultSampler', shuffle=False),
                       collate_fn=dict(type='pseudo_collate'), dataset=dict(dataset, split='test', test_mode=True))
val_evaluator = [dict(type='AnticipationMetric', horizons=(120.0, 180.0, 300.0), scale=60.0),
                 dict(type='OnlineRecognitionMetric')]
test_evaluator = val_evaluator

max_epochs = 50
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-4, weight_decay=1e-2), clip_grad=dict(max_norm=1.0))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-6, by_epoch=True)]
