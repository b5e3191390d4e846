// A video's poster, loaded by the page on first use (pwa.js's `hushLoad`), so it is no part of
// the first load: the video picked to send is opened in a <video> element that is never shown,
// its first frame drawn on a canvas as a small JPEG (at most 48 px, like a photo's thumbnail),
// with its width, height and duration. Null if this browser cannot decode it (or takes too
// long): it then goes as a file without a thumbnail.
(() => {
  const EDGE = 48;
  // How long a video may take to open before it goes without a thumbnail.
  const PATIENCE_MS = 10_000;

  // Resolves when `video` fires `ready`, or with null if it fails or is too slow.
  const until = (video, ready) => new Promise((resolve) => {
    const done = (value) => {
      clearTimeout(slow);
      video.removeEventListener(ready, on);
      video.removeEventListener('error', off);
      resolve(value);
    };
    const on = () => done(true);
    const off = () => done(null);
    const slow = setTimeout(off, PATIENCE_MS);
    video.addEventListener(ready, on);
    video.addEventListener('error', off);
  });

  // A recorded WebM may not say how long it is until played to its end: seeking far past it
  // makes the browser find out.
  const lengthOf = async (video) => {
    if (Number.isFinite(video.duration)) return video.duration;
    const known = until(video, 'durationchange');
    video.currentTime = Number.MAX_SAFE_INTEGER;
    await known;
    return Number.isFinite(video.duration) ? video.duration : 0;
  };

  window.hushVideo = {
    // [width, height, duration in ms, JPEG thumbnail] of `file`, or null.
    async poster(file) {
      const url = URL.createObjectURL(file);
      const video = document.createElement('video');
      video.muted = true;
      video.preload = 'auto';
      video.src = url;
      try {
        if (!(await until(video, 'loadedmetadata')) || !video.videoWidth || !video.videoHeight) return null;
        const seconds = await lengthOf(video);
        const seeked = until(video, 'seeked');
        video.currentTime = Math.min(0.1, seconds / 2);
        if (!(await seeked)) return null;
        const scale = Math.min(1, EDGE / Math.max(video.videoWidth, video.videoHeight));
        const canvas = new OffscreenCanvas(
          Math.max(1, Math.round(video.videoWidth * scale)),
          Math.max(1, Math.round(video.videoHeight * scale)),
        );
        const context = canvas.getContext('2d');
        context.fillStyle = '#000';
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        const thumbnail = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.5 });
        return [
          video.videoWidth,
          video.videoHeight,
          Math.round(seconds * 1000),
          new Uint8Array(await thumbnail.arrayBuffer()),
        ];
      } catch {
        return null;
      } finally {
        video.removeAttribute('src');
        video.load();
        URL.revokeObjectURL(url);
      }
    },
  };
})();
