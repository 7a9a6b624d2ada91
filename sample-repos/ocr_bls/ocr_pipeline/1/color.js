// PaddleOCR's models are trained on OpenCV's BGR channel order.

/** RGB → BGR (the same swap turns BGR back into RGB). */
export function swapRedBlue(img) {
  const data = img.data.slice();
  for (let i = 0; i < data.length; i += img.channels) {
    data[i] = img.data[i + 2];
    data[i + 2] = img.data[i];
  }
  return { ...img, data };
}
