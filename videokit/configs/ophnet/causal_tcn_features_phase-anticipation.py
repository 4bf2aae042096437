# OphNet phase anticipation and online phase recognition: a causal TCN on 1-fps causal step features
# (tools/extract_features.py into $OPHNET_FEATURES, e.g. --window-sec 1 --stride-sec 1), horizon 5 min,
# errors reported at 2, 3 and 5 min in minutes (wMAE, inMAE, outMAE, eMAE) beside the training-mean baseline.
_base_ = ['../_base_/models/causal_tcn.py', '../_base_/datasets/features_workflow.py',
          '../_base_/default_runtime.py']
horizon = 300.0
model = dict(in_channels=2048, num_classes=52, horizon=horizon)
data = dict(ann_file='{{$OPHNET_ANNOTATIONS:annotations/ophnet/annotations.json}}',
            feature_dir='{{$OPHNET_FEATURES:data/ophnet/features}}',
            level='phase', horizon=horizon)
train_dataloader = dict(dataset=data)
val_dataloader = dict(dataset=data)
test_dataloader = dict(dataset=data)
default_hooks = dict(checkpoint=dict(save_best='anticipation/wMAE@5', rule='less'))
