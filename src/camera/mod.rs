//! The camera and the work on its frames:
//! - sources behind one small trait, [`FrameSource`]: V4L2 webcams through nokhwa in
//!   production, image files and image sequences for tests and the `--camera-file` demo mode;
//! - [`scanner`]: the newest-frame pipeline, a live preview and the work on the frames on
//!   worker threads;
//! - [`qr`]: reading QR codes from frames;
//! - [`face`]: face guidance and the picture, on the pension face screen's frames.

mod device;
pub mod face;
mod files;
pub mod qr;
pub mod scanner;

use std::fmt;
use std::path::PathBuf;

use image::RgbImage;

pub use device::NokhwaCamera;
pub use files::FileCamera;
pub use kiosk_core::CameraProblem;

/// Where frames come from. Opening is the implementation's constructor; dropping it releases
/// the device.
pub trait FrameSource: Send {
    /// Blocks until the next frame (a webcam paces itself; a file source paces itself to its
    /// frame rate).
    fn next_frame(&mut self) -> Result<RgbImage, CameraProblem>;
}

/// Which camera the kiosk uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CameraChoice {
    /// A V4L2 webcam, `/dev/video<index>`.
    Device(u32),
    /// An image file, or a directory of images played in name order, looped at 15 fps.
    Files(PathBuf),
}

/// A camera that did not open. To the core this is [`CameraProblem::NotConnected`]; the text
/// names the device or the file and says why, for the log or the config error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenError(pub String);

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OpenError {}

impl From<OpenError> for CameraProblem {
    fn from(_: OpenError) -> CameraProblem {
        CameraProblem::NotConnected
    }
}

/// Opens the chosen camera.
pub fn open(choice: &CameraChoice) -> Result<Box<dyn FrameSource>, OpenError> {
    Ok(match choice {
        CameraChoice::Device(index) => Box::new(NokhwaCamera::open(*index)?),
        CameraChoice::Files(path) => Box::new(FileCamera::open(path)?),
    })
}
