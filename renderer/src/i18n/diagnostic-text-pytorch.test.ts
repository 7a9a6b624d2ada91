/** The PyTorch backend's reasons and notes in 简体中文: missing torch (with who chose the interpreter) and the KIND_GPU fallback. */
import { describe, expect, it } from 'vitest';
import { engineNote, reasonText } from './diagnostic-text';

describe('PyTorch backend texts in 简体中文', () => {
  it('a missing torch keeps the interpreters, who chose them and the install commands', () => {
    const set = "Unavailable: PyTorch backend: torch is missing: '/x/py' cannot import torch (set by the config parameter PYTHON_EXECUTABLE). Install PyTorch for it: `/x/py -m pip install torch`.";
    expect(reasonText(set, 'zh-CN')).toEqual({
      text: "不可用：PyTorch 后端：缺少 torch：'/x/py' 无法导入 torch（由配置参数 PYTHON_EXECUTABLE 指定）。请为它安装 PyTorch：`/x/py -m pip install torch`。",
      english: set,
    });
    const two =
      "Unavailable: PyTorch backend: torch is missing: 'python3' cannot import torch; '/usr/bin/python3' cannot import torch. Install PyTorch for it: `sudo apt-get install python3-torch` (Debian/Ubuntu) or `python3 -m pip install torch`.";
    expect(reasonText(two, 'zh-CN').text).toBe(
      "不可用：PyTorch 后端：缺少 torch：'python3' 无法导入 torch；'/usr/bin/python3' 无法导入 torch。请为它安装 PyTorch：`sudo apt-get install python3-torch`（Debian/Ubuntu）或 `python3 -m pip install torch`。",
    );
  });

  it('the KIND_GPU fallback notes', () => {
    expect(engineNote('KIND_GPU was asked for, but torch 1.13.0a0 of /usr/bin/python3 has no CUDA (torch.cuda.is_available() is False); running on CPU', 'zh-CN').text).toBe(
      '配置要求 KIND_GPU，但 /usr/bin/python3 的 torch 1.13.0a0 没有 CUDA（torch.cuda.is_available() 为 False）；现在在 CPU 上运行。',
    );
    expect(engineNote('KIND_GPU was asked for on GPU 1, but torch sees 1 GPU(s); that instance runs on CPU', 'zh-CN').text).toBe(
      '配置要求在 GPU 1 上运行（KIND_GPU），但 torch 只看到 1 个 GPU；该实例在 CPU 上运行。',
    );
  });
});
