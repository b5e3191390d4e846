// The voice-note recorder, loaded by the page on first use (pwa.js's `hushLoad`), so it is no
// part of the first load. It records the microphone with MediaRecorder (Opus in WebM or Ogg,
// whichever this browser has) and, once stopped, gives the recording with its duration and a
// waveform: 64 peaks (0-255) of the decoded sound. A recording stops by itself at the longest
// allowed, or before its bytes pass the largest attachment (what came before is kept).
// A failure rejects with an Error whose message the app shows as it is.
(() => {
  const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/ogg', 'audio/mp4'];
  const BARS = 64;
  // Decoded at a low rate: enough for peaks, little memory for a long note.
  const DECODE_RATE = 3000;
  // How long the microphone may take to send its first sound before we give up on it.
  const FIRST_SOUND_MS = 10_000;
  let current = null;

  const halt = (recording) => {
    clearTimeout(recording.timer);
    if (recording.recorder.state !== 'inactive') recording.recorder.stop();
  };

  // The loudest sample of each of BARS equal parts of the first channel, the loudest part 255.
  const peaks = (audio) => {
    const samples = audio.getChannelData(0);
    const size = Math.max(1, Math.ceil(samples.length / BARS));
    const raw = new Float32Array(BARS);
    for (let bar = 0; bar < BARS; bar++) {
      const end = Math.min(samples.length, (bar + 1) * size);
      let peak = 0;
      for (let i = bar * size; i < end; i++) peak = Math.max(peak, Math.abs(samples[i]));
      raw[bar] = peak;
    }
    const loudest = Math.max(...raw) || 1;
    return Uint8Array.from(raw, (peak) => Math.round((peak / loudest) * 255));
  };

  window.hushVoice = {
    // Starts recording; rejects if there is no microphone or it is not allowed.
    async start([maxMs, maxBytes]) {
      if (current) this.cancel();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const type = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
      let recorder;
      try {
        recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      } catch (error) {
        stream.getTracks().forEach((track) => track.stop());
        throw error;
      }
      const recording = { recorder, chunks: [], bytes: 0, started: performance.now(), ended: 0 };
      recording.stopped = new Promise((resolve) => {
        recorder.addEventListener('stop', () => {
          recording.ended ||= performance.now();
          stream.getTracks().forEach((track) => track.stop());
          resolve();
        }, { once: true });
      });
      recorder.addEventListener('dataavailable', (event) => {
        if (!event.data.size) return;
        if (recording.bytes + event.data.size > maxBytes) {
          halt(recording);
          return;
        }
        recording.bytes += event.data.size;
        recording.chunks.push(event.data);
      });
      // Chromium fires `start` with the recorder's first data: until then there is nothing to
      // keep, so the app shows the recording (its timer, Stop) only from then on.
      const sounding = new Promise((resolve, reject) => {
        const silent = setTimeout(() => reject(new Error('the microphone sent no sound')), FIRST_SOUND_MS);
        const begun = () => {
          clearTimeout(silent);
          resolve();
        };
        recorder.addEventListener('start', () => {
          recording.started = performance.now();
          begun();
        }, { once: true });
        // Stopped first (cancelled, or the recorder failed): `stop` then says what there is.
        recording.stopped.then(begun);
      });
      recording.timer = setTimeout(() => {
        recording.ended = performance.now();
        halt(recording);
      }, maxMs);
      recorder.start(1000);
      current = recording;
      try {
        await sounding;
      } catch (error) {
        if (current === recording) this.cancel();
        throw error;
      }
      return true;
    },
    // Stops: [MIME type, bytes, duration in ms, waveform]. Rejects if nothing was recorded.
    async stop() {
      const recording = current;
      current = null;
      if (!recording) throw new Error('no recording is under way');
      halt(recording);
      await recording.stopped;
      if (!recording.chunks.length) throw new Error('nothing was recorded');
      const blob = new Blob(recording.chunks, { type: recording.recorder.mimeType });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let duration = recording.ended - recording.started;
      let waveform = new Uint8Array(BARS);
      try {
        const context = new OfflineAudioContext(1, 1, DECODE_RATE);
        const audio = await context.decodeAudioData(bytes.slice().buffer);
        duration = audio.duration * 1000;
        waveform = peaks(audio);
      } catch {
        // Not decodable here: it goes with the time it was recorded for and a flat waveform.
      }
      return [blob.type, bytes, Math.max(1, Math.round(duration)), waveform];
    },
    // Whether a recording is under way (false once it stopped by itself).
    active() {
      return current?.recorder.state === 'recording';
    },
    // Stops and forgets the recording.
    cancel() {
      const recording = current;
      current = null;
      if (recording) halt(recording);
      return true;
    },
  };
})();
