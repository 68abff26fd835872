"""Cases for rule LL501: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "linear Dense head compiled with the sparse loss string": """
        import keras
        from keras import layers

        model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(64, activation="relu"), layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # expect: LL501
    """,
    "CategoricalCrossentropy() object on a functional model's logits": """
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(32,))
        x = layers.Dense(64, activation="relu")(inputs)
        outputs = layers.Dense(5, activation=None)(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())  # expect: LL501
    """,
    "custom training loop with the function, target first": """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10, activation="linear")])

        def train_step(x, y):
            with tf.GradientTape() as tape:
                logits = model(x, training=True)
                loss = tf.keras.losses.sparse_categorical_crossentropy(y, logits)  # expect: LL501
            return loss
    """,
    "subclassed model, loss object called in the loop": """
        import keras
        from keras import layers

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = layers.Dense(64, activation="relu")
                self.out = layers.Dense(3)

            def call(self, inputs, training=None):
                return self.out(self.hidden(inputs))

        model = Net()
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=False)
        loss = loss_fn(y, model(x, training=True))  # expect: LL501
    """,
}

VALID = {
    "logits with from_logits=True": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    """,
    "softmax output with the default loss": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
    """,
    "Dense(10) then Activation('softmax')": """
        import keras
        from keras import layers

        model = keras.Sequential()
        model.add(layers.Dense(10))
        model.add(layers.Activation("softmax"))
        model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    """,
    "from_logits computed at run time": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(10)])
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=config.logits))
    """,
    "an activation the knowledge does not name": """
        import keras
        from keras import layers

        model = keras.Sequential([layers.Dense(10, activation=my_activation)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    """,
}
