"""vst-desktop: live video style transfer (camera -> style network -> view, recording, virtual camera) and
training new styles from a folder of paintings. docs/architecture.md maps the packages below."""
