//! V4L2 webcams through nokhwa.
//!
//! No camera can be faked on a machine without one, so only the "no camera" path and the
//! choice of format are tested; the rest is kept short enough to check by reading.

use image::RgbImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};
use nokhwa::{Camera, NokhwaError};

use super::{CameraProblem, FrameSource, OpenError};

/// Frame sizes to ask for, best first: 1280x720 gives a small or distant code more pixels;
/// 640x480 is what every webcam offers. Otherwise the closest size offered is taken.
const WANTED_SIZES: [(u32, u32); 2] = [(1280, 720), (640, 480)];
/// The preview needs at least this; formats slower than this are taken only if nothing else is.
const MIN_FPS: u32 = 15;
const WANTED_FPS: u32 = 30;
/// A corrupt MJPEG frame now and then is normal on a long USB cable; this many in a row means
/// the stream is broken.
const MAX_BAD_FRAMES: u32 = 5;

/// A webcam, streaming from open until drop (dropping it closes the device).
pub struct NokhwaCamera {
    camera: Camera,
}

impl NokhwaCamera {
    /// Opens `/dev/video<index>` in MJPEG or YUYV at the size closest to 1280x720 or 640x480.
    /// Fails at once when there is no such device.
    pub fn open(index: u32) -> Result<NokhwaCamera, OpenError> {
        let failed = |why: NokhwaError| OpenError(format!("camera {index}: {why}"));
        // nokhwa's own "closest format" request fails unless the exact size exists, so open in
        // any format, then pick from what the camera offers.
        let any = RequestedFormat::new::<RgbFormat>(RequestedFormatType::None);
        let mut camera = Camera::new(CameraIndex::Index(index), any).map_err(failed)?;
        let offered = camera.compatible_camera_formats().map_err(failed)?;
        let format = choose_format(&offered)
            .ok_or_else(|| OpenError(format!("camera {index}: offers neither MJPEG nor YUYV")))?;
        let exact = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Exact(format));
        camera.set_camera_requset(exact).map_err(failed)?;
        camera.open_stream().map_err(failed)?;
        Ok(NokhwaCamera { camera })
    }
}

impl FrameSource for NokhwaCamera {
    fn next_frame(&mut self) -> Result<RgbImage, CameraProblem> {
        let mut bad_frames = 0;
        loop {
            // A read error means the camera is gone (unplugged) or the driver gave up.
            let buffer = self.camera.frame().map_err(|_| CameraProblem::Stopped)?;
            match buffer.decode_image::<RgbFormat>() {
                Ok(image) => return Ok(image),
                Err(_) if bad_frames < MAX_BAD_FRAMES => bad_frames += 1,
                Err(_) => return Err(CameraProblem::Stopped),
            }
        }
    }
}

/// The offered format to use, if any is MJPEG or YUYV: fast enough for the preview first, then
/// the size nearest a wanted one (the earlier one on a tie), MJPEG before YUYV (USB 2 carries
/// YUYV 720p at only about 10 fps), then the frame rate nearest 30.
fn choose_format(offered: &[CameraFormat]) -> Option<CameraFormat> {
    offered
        .iter()
        .filter(|format| matches!(format.format(), FrameFormat::MJPEG | FrameFormat::YUYV))
        .min_by_key(|format| {
            let (distance, preference) = WANTED_SIZES
                .iter()
                .enumerate()
                .map(|(i, &(width, height))| (format.width().abs_diff(width) + format.height().abs_diff(height), i))
                .min()
                .expect("WANTED_SIZES is not empty");
            (
                format.frame_rate() < MIN_FPS,
                distance,
                preference,
                format.format() != FrameFormat::MJPEG,
                format.frame_rate().abs_diff(WANTED_FPS),
            )
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use nokhwa::utils::Resolution;

    use super::*;
    use crate::camera::{open, CameraChoice};

    fn format(kind: FrameFormat, width: u32, height: u32, fps: u32) -> CameraFormat {
        CameraFormat::new(Resolution::new(width, height), kind, fps)
    }

    #[test]
    fn a_typical_webcam_gives_720p_mjpeg() {
        use FrameFormat::*;
        let offered = [
            format(YUYV, 640, 480, 30),
            format(YUYV, 1280, 720, 10),
            format(MJPEG, 640, 480, 30),
            format(MJPEG, 1280, 720, 15),
            format(MJPEG, 1280, 720, 30),
            format(MJPEG, 1920, 1080, 30),
        ];
        assert_eq!(choose_format(&offered), Some(format(MJPEG, 1280, 720, 30)));
    }

    #[test]
    fn a_yuyv_only_webcam_gives_the_size_it_streams_fast_enough() {
        use FrameFormat::*;
        let offered = [format(YUYV, 1280, 720, 10), format(YUYV, 640, 480, 30)];
        assert_eq!(choose_format(&offered), Some(format(YUYV, 640, 480, 30)));
    }

    #[test]
    fn other_sizes_give_the_closest_and_slow_formats_are_a_last_resort() {
        use FrameFormat::*;
        let offered = [format(MJPEG, 1920, 1080, 30), format(MJPEG, 800, 600, 30)];
        assert_eq!(choose_format(&offered), Some(format(MJPEG, 800, 600, 30)));
        let slow = [format(YUYV, 1280, 720, 5), format(NV12, 1280, 720, 30)];
        assert_eq!(choose_format(&slow), Some(format(YUYV, 1280, 720, 5)));
        assert_eq!(choose_format(&[format(NV12, 640, 480, 30)]), None);
    }

    #[test]
    fn no_camera_is_not_connected_at_once() {
        let index = (0..).find(|i| !Path::new(&format!("/dev/video{i}")).exists()).unwrap();
        let started = Instant::now();
        let error = open(&CameraChoice::Device(index)).err().expect("no camera to open");
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
        assert!(error.0.starts_with(&format!("camera {index}: ")), "{error}");
        assert_eq!(CameraProblem::from(error), CameraProblem::NotConnected);
    }
}
