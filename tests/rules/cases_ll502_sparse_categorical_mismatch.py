"""Cases for rule LL502: snippets that must be flagged where marked, and look-alikes that must not."""

INVALID = {
    "mnist class indices into categorical_crossentropy": """
        from tensorflow import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")  # expect: LL502
        model.fit(x_train, y_train, epochs=5)
    """,
    "to_categorical targets into the sparse loss": """
        import keras
        import numpy as np

        labels = np.random.randint(0, 10, size=(100,))
        model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # expect: LL502
        model.fit(features, keras.utils.to_categorical(labels, 10), epochs=3)
    """,
    "integer array into CategoricalCrossentropy in a loop": """
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
        loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
        y = np.array([0, 2, 1, 1], dtype=int)
        loss = loss_fn(y, model(x))  # expect: LL502
    """,
}

VALID = {
    "class indices with the sparse loss": """
        from tensorflow import keras

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, epochs=5)
    """,
    "one-hot targets with categorical_crossentropy": """
        from tensorflow import keras

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x_train, keras.utils.to_categorical(y_train, 10), epochs=5)
    """,
    "a dataset: targets not known": """
        import keras

        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(train_dataset, epochs=5)
    """,
    "binary labels with binary_crossentropy": """
        from tensorflow import keras

        (x_train, y_train), _ = keras.datasets.imdb.load_data(num_words=10000)
        model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
        model.fit(x_train, y_train, epochs=4)
    """,
}
