# OphNet, beyond the paper: one TSM-R50 backbone, a phase head and an operation head trained jointly;
# inference picks the best valid (phase, operation) pair.
_base_ = ['./tsm_r50_1x1x8_trimmed-operation.py']
model = dict(cls_head=dict(_delete_=True, type='MultiLevelHead', levels=['phase', 'operation'],
                           taxonomy_file='annotations/ophnet/taxonomy.csv', in_channels=2048, dropout_ratio=0.5))
train_dataloader = dict(dataset=dict(multi_level_label=['phase', 'operation']))
val_dataloader = dict(dataset=dict(multi_level_label=['phase', 'operation']))
test_dataloader = dict(dataset=dict(multi_level_label=['phase', 'operation']))
val_evaluator = [dict(type='RecognitionMetric'), dict(type='HierarchyMetric')]
test_evaluator = val_evaluator
