"""Quality metrics for styles (numpy + OpenCV + onnxruntime only; docs/evaluation.md).

- `metrics`: ewarp_ratio, content_edge_ssim, lowfreq_psnr, ms_per_frame
- `style_score`: texture_gain (per-folder painting-vs-photo critic, `style_critic`), colour_gain
- `run.evaluate_style`: all of them for one stylizer; `entry`: the `vst-desktop evaluate` command
- `known_cases`: stylizers with a known answer, used to validate the metrics
"""
