"""The GANterpretations render pipeline: audio in, a BigGAN music video out.

Nothing in this package imports `bot` or `storage`; only `pipeline.biggan` imports torch.
"""
