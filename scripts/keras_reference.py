#!/usr/bin/env python3
"""Independent reference outputs for Keras model files (tests of the Keras importer).

    python3 scripts/keras_reference.py MODEL(.h5|.keras) TRAIN_CSV ROWS OUT.json

Reads the model's config and weights with h5py (no Keras, no TensorFlow) and runs its forward
pass in plain numpy on the first ROWS rows of a Kaggle train.csv, pixels scaled to 0-1. A model
whose input is not 28x28 gets each image resized to its input size by area averaging; the
inputs used are then written too, so the importer under test can be fed the same values.

Writes JSON: {model, keras_version, input_shape, rows, labels, outputs, accuracy[, inputs]}.
Only the layers the importer supports are implemented: InputLayer, Conv2D, Dense,
MaxPooling2D, AveragePooling2D, Dropout, Flatten, BatchNormalization, Activation, Reshape,
Rescaling; Sequential models only (all the fixtures are).
"""
import io
import json
import sys
import zipfile

import h5py
import numpy as np


def read_model(path):
    """(config, {layer name: [arrays in Keras order]}, keras_version)."""
    with open(path, 'rb') as f:
        head = f.read(8)
    if head.startswith(b'PK'):
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read('config.json'))
            meta = json.loads(z.read('metadata.json')) if 'metadata.json' in z.namelist() else {}
            weights = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
        root = weights['layers'] if 'layers' in weights else weights['_layer_checkpoint_dependencies']
        layer_weights = {}
        for name in root:
            vars_group = root[name]['vars'] if 'vars' in root[name] else {}
            layer_weights[name] = [np.array(vars_group[str(i)]) for i in range(len(vars_group))]
        return config, layer_weights, meta.get('keras_version')
    f = h5py.File(path, 'r')
    config = json.loads(f.attrs['model_config'])
    group = f['model_weights'] if 'model_weights' in f else f
    layer_weights = {}
    for name in group.attrs['layer_names']:
        name = name.decode() if isinstance(name, bytes) else name
        g = group[name]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['weight_names']]
        layer_weights[name] = [np.array(g[n]) for n in names]
    version = f.attrs.get('keras_version')
    return config, layer_weights, version.decode() if isinstance(version, bytes) else version


def activation(name, x):
    if isinstance(name, dict):
        name = name.get('config', name.get('class_name'))
    if name in (None, 'linear'):
        return x
    if name == 'relu':
        return np.maximum(x, 0)
    if name == 'sigmoid':
        return 1 / (1 + np.exp(-x))
    if name == 'tanh':
        return np.tanh(x)
    if name == 'elu':
        return np.where(x > 0, x, np.exp(np.minimum(x, 0)) - 1)
    if name == 'softplus':
        return np.log1p(np.exp(x))
    if name == 'softmax':
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise SystemExit(f'unsupported activation {name!r}')


def pad_amounts(size, k, s, d, padding):
    k_eff = (k - 1) * d + 1
    if padding == 'valid':
        return (size - k_eff) // s + 1, 0, 0
    out = -(-size // s)
    total = max((out - 1) * s + k_eff - size, 0)
    return out, total // 2, total - total // 2


def windows(x, kh, kw, sh, sw, dh, dw, padding, pad_value=0.0):
    """x: (n, h, w, c) -> (n, oh, ow, kh, kw, c) patches."""
    n, h, w, c = x.shape
    oh, pt, pb = pad_amounts(h, kh, sh, dh, padding)
    ow, pl, pr = pad_amounts(w, kw, sw, dw, padding)
    x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=pad_value)
    out = np.empty((n, oh, ow, kh, kw, c), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, :, i, j, :] = x[:, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw, :]
    return out


def pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


def forward(config, layer_weights, x):
    if config['class_name'] != 'Sequential':
        raise SystemExit(f"only Sequential models are supported here, not {config['class_name']}")
    for layer in config['config']['layers']:
        kind, c = layer['class_name'], layer['config']
        w = layer_weights.get(c.get('name'), [])
        if kind in ('InputLayer', 'Dropout'):
            pass
        elif kind == 'Dense':
            x = x @ w[0].astype(np.float64)
            if c.get('use_bias', True):
                x = x + w[1]
            x = activation(c.get('activation'), x)
        elif kind == 'Conv2D':
            if c.get('data_format', 'channels_last') != 'channels_last':
                raise SystemExit('channels_first is not supported')
            kh, kw = pair(c['kernel_size'])
            sh, sw = pair(c.get('strides', 1))
            dh, dw = pair(c.get('dilation_rate', 1))
            p = windows(x, kh, kw, sh, sw, dh, dw, c.get('padding', 'valid'))
            x = np.tensordot(p, w[0].astype(np.float64), axes=([3, 4, 5], [0, 1, 2]))
            if c.get('use_bias', True):
                x = x + w[1]
            x = activation(c.get('activation'), x)
        elif kind in ('MaxPooling2D', 'AveragePooling2D'):
            kh, kw = pair(c.get('pool_size', 2))
            sh, sw = pair(c.get('strides') or (kh, kw))
            padding = c.get('padding', 'valid')
            if kind == 'MaxPooling2D':
                x = windows(x, kh, kw, sh, sw, 1, 1, padding, -np.inf).max(axis=(3, 4))
            else:  # padded cells are left out of the average, as in TensorFlow
                total = windows(x, kh, kw, sh, sw, 1, 1, padding).sum(axis=(3, 4))
                count = windows(np.ones_like(x[:1, :, :, :1]), kh, kw, sh, sw, 1, 1, padding).sum(axis=(3, 4))
                x = total / count
        elif kind == 'Flatten':
            x = x.reshape(x.shape[0], -1)
        elif kind == 'Reshape':
            x = x.reshape((x.shape[0],) + tuple(c['target_shape']))
        elif kind == 'Activation':
            x = activation(c['activation'], x)
        elif kind == 'Rescaling':
            x = x * c['scale'] + c.get('offset', 0.0)
        elif kind == 'BatchNormalization':
            eps = c.get('epsilon', 1e-3)
            i = 0
            gamma = w[i] if c.get('scale', True) else 1.0
            i += 1 if c.get('scale', True) else 0
            beta = w[i] if c.get('center', True) else 0.0
            i += 1 if c.get('center', True) else 0
            mean, var = w[i], w[i + 1]
            x = (x - mean) / np.sqrt(var + eps) * gamma + beta
        else:
            raise SystemExit(f'unsupported layer {kind}')
    return x


def input_shape(config):
    first = config['config']['layers'][0]['config']
    shape = first.get('batch_input_shape') or first.get('batch_shape')
    return list(shape[1:])


def area_matrix(src, dst):
    """dst x src matrix averaging source pixels over each destination pixel's span."""
    m = np.zeros((dst, src))
    ratio = src / dst
    for i in range(dst):
        start, end = i * ratio, (i + 1) * ratio
        for j in range(int(np.floor(start)), min(src, int(np.ceil(end)))):
            m[i, j] = max(0.0, min(end, j + 1) - max(start, j)) / ratio
    return m


def main():
    model_path, csv_path, rows, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    config, layer_weights, version = read_model(model_path)
    data = np.loadtxt(csv_path, delimiter=',', skiprows=1, max_rows=rows, dtype=np.float64)
    labels, images = data[:, 0].astype(int), data[:, 1:] / 255.0
    shape = input_shape(config)
    result = {'model': model_path, 'keras_version': version, 'input_shape': shape, 'rows': len(labels)}
    if shape in ([28, 28, 1], [28, 28], [784]):
        x = images.reshape([len(labels)] + shape)
    else:
        h, w = shape[0], shape[1]
        rh, rw = area_matrix(28, h), area_matrix(28, w)
        x = np.einsum('ij,njk,lk->nil', rh, images.reshape(-1, 28, 28), rw).reshape([len(labels)] + shape)
        x = x.astype(np.float32).astype(np.float64)  # what a float32 consumer sees
        result['inputs'] = x.reshape(len(labels), -1).astype(np.float32).tolist()
    out = forward(config, layer_weights, x)
    result['labels'] = labels.tolist()
    result['outputs'] = out.tolist()
    result['accuracy'] = float((out.argmax(axis=1) == labels).mean())
    with open(out_path, 'w') as f:
        json.dump(result, f)


if __name__ == '__main__':
    main()
