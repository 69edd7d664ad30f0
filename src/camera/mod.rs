//! Cameras behind one small trait: V4L2 webcams through nokhwa in production, image files and
//! image sequences for tests and the `--camera-file` demo mode.

use image::RgbImage;

pub use crate::core::CameraProblem;

/// Where frames come from. Opening is the implementation's constructor; dropping it releases
/// the device.
pub trait FrameSource: Send {
    /// Blocks until the next frame (a webcam paces itself; a file source paces itself to its
    /// frame rate).
    fn next_frame(&mut self) -> Result<RgbImage, CameraProblem>;
}
