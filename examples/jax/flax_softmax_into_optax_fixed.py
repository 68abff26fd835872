"""LL101 fixed: the model returns raw logits (optax applies log_softmax itself);
jax.nn.softmax only where probabilities are wanted (predictions, metrics)."""

import jax
import jax.numpy as jnp
import optax
from flax import linen as nn


class MLP(nn.Module):
    num_classes: int = 3

    @nn.compact
    def __call__(self, x):
        x = nn.relu(nn.Dense(32)(x))
        return nn.Dense(self.num_classes)(x)


def main() -> None:
    x = jax.random.normal(jax.random.PRNGKey(0), (96, 2))
    y = jnp.argmax(jnp.stack([x[:, 0], x[:, 1], -x[:, 0] - x[:, 1]], axis=-1), axis=-1)
    model = MLP(num_classes=3)
    params = model.init(jax.random.PRNGKey(1), x)
    tx = optax.adam(0.05)
    opt_state = tx.init(params)

    def loss_fn(params):
        logits = model.apply(params, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @jax.jit
    def step(params, opt_state):
        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = tx.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    for _ in range(300):
        params, opt_state, loss = step(params, opt_state)
    probs = jax.nn.softmax(model.apply(params, x))  # predictions: probabilities are fine here
    accuracy = float(jnp.mean(jnp.argmax(probs, -1) == y))
    floor = float(jnp.log(1 + 2 / jnp.e))
    print(f"loss after training: {float(loss):.3f} (floor of the softmax-twice model {floor:.3f}), accuracy {accuracy:.2f}")
    print("no mistake" if float(loss) < floor else "mistake shown")


if __name__ == "__main__":
    main()
