"""MultiLevelHead: joint loss over levels and hierarchy-consistent predictions."""
from __future__ import annotations

import torch
from mmaction.structures import ActionDataSample

from videokit.models import MultiLevelHead
from videokit.register import register_all_modules


def make_head(tmp_path):
    register_all_modules()  # the head builds its loss from mmaction2's registry
    table = tmp_path / "taxonomy.csv"
    table.write_text("level,id,name,abbrev,group,parents,names\n"
                     "procedure,0,p0,,,,{}\nprocedure,1,p1,,,,{}\n"
                     "action,0,a0,,,0,{}\naction,1,a1,,,0,{}\naction,2,a2,,,1,{}\naction,3,a3,,,0 1,{}\n")
    torch.manual_seed(0)
    head = MultiLevelHead(levels=["procedure", "action"], taxonomy_file=str(table), in_channels=8, dropout_ratio=0)
    head.init_weights()
    return head


def samples(*labels):
    out = []
    for label in labels:
        sample = ActionDataSample()
        sample.set_gt_label(list(label))
        out.append(sample)
    return out


def test_loss_sums_levels_and_ignores_unknown(tmp_path):
    head = make_head(tmp_path)
    feats = torch.randn(4 * 2, 8, 3, 3)  # 2D backbone output: 2 samples x 4 segments
    losses = head.loss(feats, samples([0, 1], [1, 2]), num_segs=4)
    assert set(losses) == {"loss_cls", "acc_procedure", "acc_action"}
    assert losses["loss_cls"].requires_grad
    only_action = head.loss(feats, samples([-1, 1], [-1, 2]), num_segs=4)
    assert "acc_procedure" not in only_action
    assert only_action["loss_cls"] < losses["loss_cls"]


def test_predictions_follow_the_taxonomy(tmp_path):
    head = make_head(tmp_path)
    with torch.no_grad():  # make the procedure head prefer p0 and the action head prefer a2 (a p1 action)
        head.classifiers[0].weight.zero_()
        head.classifiers[0].bias.copy_(torch.tensor([0.5, 0.0]))
        head.classifiers[1].weight.zero_()
        head.classifiers[1].bias.copy_(torch.tensor([0.0, 0.0, 2.0, 0.0]))
    out = head.predict(torch.randn(3, 8, 2, 2, 2), samples([0, 1]))[0]  # 3D features, one clip
    assert out.pred_levels_independent.tolist() == [0, 2]  # a contradiction
    assert out.pred_levels.tolist() == [1, 2]  # the best valid pair
    assert out.pred_label.item() == 2 and out.pred_score.shape == (4,)
    assert [s.shape[0] for s in out.level_scores] == [2, 4]
