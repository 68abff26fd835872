"""LL101 with flax and optax: softmax at the end of the model, then
optax.softmax_cross_entropy_with_integer_labels, which applies log_softmax itself.

The softmax runs twice: whatever the weights, the loss cannot fall below
log(1 + (C - 1) / e) (0.55 for 3 classes), so a perfectly separable problem is never
learned with confidence. Nothing raises. Runs where jax, flax and optax are installed.
"""

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn


class MLP(nn.Module):
    num_classes: int = 3

    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Dense(32)(x))
        return nn.softmax(nn.Dense(self.num_classes)(x))


def main() -> None:
    x = jax.random.normal(jax.random.PRNGKey(0), (96, 2))
    y = jnp.argmax(jnp.stack([x[:, 0], x[:, 1], -x[:, 0] - x[:, 1]], axis=-1), axis=-1)
    model = MLP(num_classes=3)
    params = model.init(jax.random.PRNGKey(1), x)
    tx = optax.adam(0.05)
    opt_state = tx.init(params)

    def loss_fn(params):
        probs = model.apply(params, x)
        return optax.softmax_cross_entropy_with_integer_labels(probs, y).mean()  # expect: LL101

    @jax.jit
    def step(params, opt_state):
        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = tx.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    for _ in range(300):
        params, opt_state, loss = step(params, opt_state)
    floor = float(jnp.log(1 + 2 / jnp.e))
    print(f"loss after training: {float(loss):.3f} (floor {floor:.3f})")
    print("mistake shown: the loss stays above its floor" if float(loss) >= floor - 1e-3 else "no mistake")


if __name__ == "__main__":
    main()
