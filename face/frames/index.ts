export { buildCameraCommands, type CameraCommands, type CameraOptions, CameraSource } from './camera.ts';
export { type EncodeOptions, encodeVideoFromImages } from './encode.ts';
export { FfmpegFrameSource, type FfmpegSourceOptions, type PipeCommand } from './ffmpeg.ts';
export {
  type DecodeOptions,
  decodeImageFile,
  type ImageFolderOptions,
  ImageFolderSource,
  listImages,
  naturalCompare,
} from './image-folder.ts';
export { PpmStreamParser } from './ppm.ts';
export type { Frame, FrameError, FrameErrorCode, FrameItem, FrameSource } from './types.ts';
export { isFrame } from './types.ts';
export { buildVideoFileArgs, probeFps, type VideoFileOptions, VideoFileSource } from './video-file.ts';
