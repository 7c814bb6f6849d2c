"""Defaults of the generative tasks (vae, iwae, gan, vaegan): `default.get_config()` plus the
fields below, each documented once here. Not a runnable experiment on its own."""

from experiments.configs import default


def get_config():
  config = default.get_config()
  config.model = "mlp"                 # key of genvdisc.models.GENERATIVE_MODELS: mlp | dcgan
  config.model_kwargs.hidden_sizes = (200, 200)  # mlp: encoder/discriminator widths; decoder mirrored
  config.latent_dim = 16               # size of z
  config.likelihood = "bernoulli"      # vae/iwae/m2 decoder p(x|z): bernoulli | gaussian | categorical (levels logits
                                       # per value) | discretized_logistic (Salimans et al.); genvdisc.tasks.shared.Likelihood
  config.binarize = "dynamic"          # bernoulli: x ~ Bernoulli(pixels) at every use (Burda et al.) | none (binary data only)
  config.dequantize = "none"           # gaussian: 'uniform' adds (u - 1/2)/(levels - 1) at every use; the NLL then bounds the discrete NLL
  config.levels = 17                   # pixel values k/(levels - 1) of a categorical, discretized_logistic or dequantised likelihood
  config.conditional = False           # vae/iwae/ddpm/autoregressive: model p(x|y) given the label (needs a labelled dataset)
  config.classify_samples = 100        # vae/iwae conditional: importance samples per class of log p(x|y) in the Bayes-rule classifier
  config.classify_timesteps = 50       # ddpm conditional: t's per example (stratified, shared with eps by every class) of the classifier's bound
  config.class_batch = 0               # conditional: classes scored at once by the Bayes-rule classifier and log p(x) (0: all K, vmapped;
                                       # n < K: lax.map over groups of n, evaluation memory / (K / n))
  config.beta = 1.0                    # vae/vaegan: weight of KL(q(z|x) || N(0, I)); 1 = the ELBO
  config.train_samples = 1             # vae: ELBO averaged over k z's; iwae: k of the IWAE bound
  config.iw_samples = 5000             # importance samples per example of the NLL estimate (Burda et al.: 5000)
  config.eval_splits = "train,test"    # vae/iwae/autoregressive: splits of the NLL metrics; 'test' skips the costly train NLL
  config.iw_chunk = 100                # importance samples drawn at once (bounds evaluation memory)
  config.generator_loss = "nonsaturating"  # gan/vaegan: nonsaturating (-log D(G(z))) | minimax (log(1 - D(G(z))))
  config.discriminator_learning_rate = -1.0  # gan/vaegan: D's step size; <= 0: config.learning_rate
  config.adam_b1 = 0.9                 # Adam's beta1 (DCGAN recipe: 0.5)
  config.alpha = 1.0                   # vaegan: weight of the GAN term
  config.reconstruction = "feature"    # vaegan: L_rec in D's feature space (Larsen et al.) | pixel
  config.judge = ""                    # classifier config (experiments/configs/<judge>.py) judging samples; '' = no classifier-FID/IS
  config.fid_samples = 1000            # generated samples per classifier-FID/IS evaluation
  config.image_grid = 64               # samples per PNG grid (images/ in the workdir) at each save; 0 = none
  return config
