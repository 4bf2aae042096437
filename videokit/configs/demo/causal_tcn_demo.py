# The demo's online workflow stage: the causal TCN on the features of the demo's trained recognizer,
# steps as "phases", horizon 15 s (demo videos are 20-40 s long), errors in seconds.
_base_ = ['../_base_/models/causal_tcn.py', '../_base_/datasets/features_workflow.py',
          '../_base_/default_runtime.py']
data_root = '{{$VIDEOKIT_DEMO_ROOT:demo_output}}'
horizon = 15.0
model = dict(in_channels=512, num_classes=12, horizon=horizon, embed_dims=64, num_layers=5, dropout=0.1)
data = dict(ann_file=data_root + '/converted/demo.canonical.json', feature_dir=data_root + '/features',
            level='action', horizon=horizon, fps=1.0)
train_dataloader = dict(batch_size=4, num_workers=0, dataset=data)
val_dataloader = dict(num_workers=0, dataset=data)
test_dataloader = dict(num_workers=0, dataset=data)
val_evaluator = [dict(type='AnticipationMetric', horizons=(horizon,), scale=1.0), dict(type='OnlineRecognitionMetric')]
test_evaluator = val_evaluator

max_epochs = 60
train_cfg = dict(max_epochs=max_epochs, val_interval=20)
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True)]
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=20, save_best=None, max_keep_ckpts=1))
custom_hooks = []
randomness = dict(seed=0)
