import { SpotRunnerError } from "../errors";

/** The bake script on the builder failed, or did not finish in time; the message quotes its console. */
export class BakeFailedError extends SpotRunnerError {
  override name = "BakeFailedError";
  constructor(readonly bakeId: string, message: string) {
    super(message);
  }
}

/** CreateImage failed, or the image did not become Available in time (CreateFailed, vanished, timeout). */
export class ImageCreationError extends SpotRunnerError {
  override name = "ImageCreationError";
  constructor(readonly imageId: string | undefined, message: string) {
    super(message);
  }
}

/** DeleteImage was refused because instances still run from the image (ImageUsingByInstance). */
export class ImageInUseError extends SpotRunnerError {
  override name = "ImageInUseError";
  constructor(readonly imageId: string, message: string) {
    super(message);
  }
}
