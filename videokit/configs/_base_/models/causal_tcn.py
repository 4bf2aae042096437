# videokit's CausalWorkflowModel: a causal TCN on step features with a current-phase head and an
# anticipation head (time until each phase starts, clipped at the horizon, seconds).
model = dict(type='CausalWorkflowModel', in_channels=2048, num_classes=52, horizon=300.0, embed_dims=128,
             num_layers=8, kernel_size=3, dropout=0.2, use_elapsed_time=True, anticipation_weight=1.0)
