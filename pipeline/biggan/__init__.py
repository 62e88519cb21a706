"""BigGAN: the network, its weights, the device and precision it runs at; the only room that imports torch."""
