"""Plumbing for the classic CNNs and ResNets course. The networks themselves live in the notebooks.

Import it as ``import course_utils as cu``; importing has no side effects. ``cu`` holds what the notebooks call;
the pure functions under the widgets (``tracer_step``, ``conv_explorer_html``, ...) and the sweep's parts live in
their modules.
"""
from .data import load_mnist
from .gradients import activation_stds, relative_gradients
from .diagrams import draw_architecture, save_diagram
from .plots import plot_history, plot_layer_norms, show_digits
from .setup_env import dtype_policy, setup
from .sweep import load_sweep, run_or_load_sweep
from .training import evaluate_inference, inference_evaluation, signal_probe
from .shapes import conv_macs, conv_output_size, conv_params, pool_output_size
from .checks import yours_or_reference
from .checks.classic import (check_activation_memory, check_alexnet_conv1, check_pooling_prediction,
                             check_transfer_prediction, check_vgg_block)
from .checks.resnets import check_bn_modes, check_identity_block, check_identity_params, check_projection_block
from .checks.why_resnets import (check_degradation, check_intervention_prediction, check_plain_identity,
                                 check_silence_branch)
from .checks.one_by_one import (check_bottleneck_macs, check_cheap_branch, check_heads, check_one_by_one,
                                 check_reduce_1x1)
from .tracing import format_shape, trace, trace_table
from .feature_maps import FeatureMaps, feature_maps, map_layers
from .explorers import bottleneck_costs, bottleneck_explorer, conv_explorer
from .tracer import ShapeTracer

__all__ = [  # what the notebooks use, and nothing else
    "load_mnist", "setup", "dtype_policy", "show_digits", "plot_history",
    "conv_output_size", "pool_output_size", "conv_params", "conv_macs", "format_shape", "trace", "trace_table",
    "draw_architecture", "save_diagram", "ShapeTracer", "conv_explorer", "bottleneck_costs", "bottleneck_explorer",
    "FeatureMaps", "feature_maps", "map_layers",
    "relative_gradients", "activation_stds", "evaluate_inference", "inference_evaluation", "signal_probe",
    "load_sweep", "run_or_load_sweep", "plot_layer_norms",
    "yours_or_reference", "check_alexnet_conv1", "check_vgg_block", "check_activation_memory",
    "check_identity_block", "check_projection_block", "check_identity_params",
    "check_degradation", "check_silence_branch", "check_plain_identity", "check_intervention_prediction",
    "check_one_by_one", "check_reduce_1x1", "check_bottleneck_macs",
    "check_bn_modes", "check_heads", "check_cheap_branch", "check_pooling_prediction", "check_transfer_prediction",
]
