# NurViD, beyond the paper: one TSM-R50 backbone, a procedure head and an action head trained jointly;
# inference picks the best valid (procedure, action) pair, so an action never contradicts its procedure.
_base_ = ['./tsm_r50_1x1x8_trimmed-action.py']
model = dict(cls_head=dict(_delete_=True, type='MultiLevelHead', levels=['procedure', 'action'],
                           taxonomy_file='annotations/nurvid/taxonomy.csv', in_channels=2048, dropout_ratio=0.5))
train_dataloader = dict(dataset=dict(multi_level_label=True))
val_dataloader = dict(dataset=dict(multi_level_label=True))
test_dataloader = dict(dataset=dict(multi_level_label=True))
val_evaluator = [dict(type='RecognitionMetric'), dict(type='HierarchyMetric')]
test_evaluator = val_evaluator
