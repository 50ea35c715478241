//! Which burn backend runs the model: a setting, not a type (burn 0.22 picks the backend from
//! the `Device` at run time). Flex is the default: the fastest CPU backend measured here.

use std::{fmt, str::FromStr};

use burn::prelude::Device;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// burn's pure-Rust CPU backend (im2col + gemm, SIMD, threads).
    #[default]
    Flex,
    /// burn-ndarray, kept selectable as the product owner asked.
    Ndarray,
    /// burn's Vulkan backend (feature `gpu`): training on a GPU machine.
    #[cfg(feature = "gpu")]
    Vulkan,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Flex, Backend::Ndarray];

    pub fn device(self) -> Device {
        match self {
            Backend::Flex => Device::flex(),
            #[allow(deprecated)] // burn 0.22 favours Flex; ndarray still works
            Backend::Ndarray => Device::ndarray(),
            #[cfg(feature = "gpu")]
            // The best adapter wgpu finds (a discrete GPU first); `CUBECL_WGPU_DEFAULT_DEVICE`
            // overrides it (`Cpu`: Mesa's lavapipe, to try the path on a machine without a GPU).
            Backend::Vulkan => Device::vulkan(burn::tensor::DeviceKind::DefaultDevice),
        }
    }

    /// From `CAPTIONER_BACKEND`, or the default.
    pub fn from_env() -> Result<Self, String> {
        std::env::var("CAPTIONER_BACKEND").map_or(Ok(Self::default()), |v| v.parse())
    }
}

/// Whether `device` is one of the CPU backends' (flex, ndarray).
pub fn is_cpu(device: &Device) -> bool {
    Backend::ALL.into_iter().any(|backend| backend.device() == *device)
}

impl FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "flex" => Ok(Backend::Flex),
            "ndarray" => Ok(Backend::Ndarray),
            #[cfg(feature = "gpu")]
            "vulkan" => Ok(Backend::Vulkan),
            other => Err(format!("unknown backend {other:?}: use flex or ndarray")),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Flex => "flex",
            Backend::Ndarray => "ndarray",
            #[cfg(feature = "gpu")]
            Backend::Vulkan => "vulkan",
        })
    }
}
