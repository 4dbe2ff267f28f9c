"""Export the standard FID Inception-v3 (pool3, 2048 features) to ONNX for
@fdistill/eval's createInceptionFeatureExtractor. Run it on your own machine:

    pip install torch pytorch-fid onnx onnxruntime
    python export-inception-onnx.py pt-inception-2015-12-05.onnx

pytorch-fid fetches the FID weights (pt_inception-2015-12-05, ported from the TensorFlow graph
that defines FID) into the torch hub cache on first use; @fdistill/eval itself never downloads.
The exported model takes float32 images [batch, 3, 299, 299] (NCHW) with values in [0, 1] and
returns pool3 features [batch, 2048]: the extractor's defaults.
"""
import sys

import numpy as np
import torch
from pytorch_fid.inception import InceptionV3


class Pool3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        # resize_input: bilinear to 299 (a no-op for 299 inputs); normalize_input: [0, 1] -> [-1, 1].
        self.inception = InceptionV3([InceptionV3.BLOCK_INDEX_BY_DIM[2048]],
                                     resize_input=True, normalize_input=True)

    def forward(self, images):
        return self.inception(images)[0].flatten(1)


path = sys.argv[1] if len(sys.argv) > 1 else "pt-inception-2015-12-05.onnx"
model = Pool3().eval()
example = torch.rand(4, 3, 299, 299)
torch.onnx.export(model, example, path, input_names=["images"], output_names=["pool3"],
                  dynamic_axes={"images": {0: "batch"}, "pool3": {0: "batch"}}, opset_version=17)

# Check the export against PyTorch.
import onnxruntime

session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
onnx_features = session.run(["pool3"], {"images": example.numpy()})[0]
with torch.no_grad():
    torch_features = model(example).numpy()
print(f"wrote {path}; max |onnx - torch| = {np.abs(onnx_features - torch_features).max():.2e}")
