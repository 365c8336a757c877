"""Plumbing for the classic CNNs and ResNets course. The networks themselves live in the notebooks.

Import it as ``import course_utils as cu``; importing has no side effects.
"""
from .data import load_mnist
from .gradients import activation_stds, gradient_norms, relative_gradients
from .diagrams import draw_architecture, save_diagram
from .plots import plot_depth_sweep, plot_history, plot_layer_norms, plot_step_curves, show_digits
from .setup_env import dtype_policy, setup
from .sweep import Sweep, load_sweep, run_or_load_sweep, run_sweep, save_sweep
from .training import evaluate_inference, inference_evaluation, reset_optimizer, signal_probe
from .shapes import conv_macs, conv_output_size, conv_params, pool_output_size
from .checks import CheckResult, yours_or_reference
from .checks.classic import check_activation_memory, check_alexnet_conv1, check_vgg_block
from .checks.resnets import check_identity_block, check_identity_params, check_projection_block
from .checks.why_resnets import check_degradation, check_plain_identity, check_silence_branch
from .checks.one_by_one import check_bottleneck_macs, check_one_by_one, check_reduce_1x1
from .tracing import format_shape, trace, trace_table
from .feature_maps import FeatureMaps, feature_maps, feature_maps_html, map_layers
from .explorers import bottleneck_costs, bottleneck_explorer, bottleneck_html, conv_explorer, conv_explorer_html
from .tracer import ShapeTracer, tracer_html, tracer_static_html, tracer_step

__all__ = [
    "CheckResult", "conv_macs", "conv_output_size", "conv_params", "format_shape", "load_mnist", "plot_history",
    "pool_output_size", "setup", "show_digits", "trace", "trace_table",
    "bottleneck_costs", "bottleneck_explorer", "bottleneck_html",
    "ShapeTracer", "conv_explorer", "conv_explorer_html", "tracer_html", "tracer_static_html", "tracer_step",
    "check_bottleneck_macs", "check_one_by_one", "check_reduce_1x1",
    "draw_architecture", "save_diagram", "check_vgg_block",
    "check_alexnet_conv1", "check_activation_memory",
    "check_identity_block", "check_identity_params", "check_projection_block", "check_plain_identity",
    "check_degradation", "check_silence_branch",
    "Sweep", "activation_stds", "evaluate_inference", "gradient_norms", "inference_evaluation", "relative_gradients",
    "signal_probe", "load_sweep", "reset_optimizer", "run_or_load_sweep", "run_sweep", "save_sweep",
    "plot_depth_sweep", "plot_layer_norms", "plot_step_curves", "dtype_policy", "yours_or_reference",
    "FeatureMaps", "feature_maps", "feature_maps_html", "map_layers",
]
