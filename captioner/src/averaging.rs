//! Checkpoint averaging: the element-wise mean of the weights of several checkpoints of one
//! training run. From one epoch to the next the dev BLEU-4 wobbles by a few tenths while the
//! weights drift around a good region; their mean lies nearer its centre, and is one model, so it
//! costs nothing at inference (unlike an ensemble).

use burn::{
    module::{ModuleMapper, ModuleVisitor, Param},
    prelude::*,
};

/// Every float parameter, flattened, in the module's traversal order.
struct Flatten(Vec<Tensor<1>>);

impl ModuleVisitor for Flatten {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let len = value.shape().num_elements();
        self.0.push(value.reshape([len]));
    }
}

/// Puts the given values back, parameter by parameter, in the same order.
struct Replace(std::vec::IntoIter<Tensor<1>>);

impl ModuleMapper for Replace {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let value = self.0.next().expect("every checkpoint has the same parameters");
        param.map(|old| value.reshape(old.dims()))
    }
}

fn flatten<M: Module>(module: &M) -> Vec<Tensor<1>> {
    let mut flat = Flatten(Vec::new());
    module.visit(&mut flat);
    flat.0
}

/// The mean of `checkpoints` (modules of one architecture): a copy of the last one holding the
/// average of every float parameter.
pub fn average<M: Module + Clone>(checkpoints: &[M]) -> M {
    let (last, _) = checkpoints.split_last().expect("at least one checkpoint");
    let sums = checkpoints[1..].iter().fold(flatten(&checkpoints[0]), |sums, module| {
        sums.into_iter().zip(flatten(module)).map(|(sum, value)| sum + value).collect()
    });
    let count = checkpoints.len() as f32;
    let means: Vec<Tensor<1>> = sums.into_iter().map(|sum| sum / count).collect();
    last.clone().map(&mut Replace(means.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decoder::DecoderConfig;

    fn values<M: Module>(module: &M) -> Vec<f32> {
        flatten(module).into_iter().flat_map(|t| t.into_data().try_into_vec::<f32>().unwrap()).collect()
    }

    #[test]
    fn the_average_holds_the_mean_of_every_weight() {
        let device = Device::flex();
        let config = DecoderConfig::new(20).with_hidden_size(8);
        let checkpoints = [config.init(&device), config.init(&device), config.init(&device)];
        let each: Vec<Vec<f32>> = checkpoints.iter().map(values).collect();
        assert_ne!(each[0], each[1], "differently initialised");
        let averaged = values(&average(&checkpoints));
        assert_eq!(averaged.len(), each[0].len());
        for (i, mean) in averaged.iter().enumerate() {
            let expected = (each[0][i] + each[1][i] + each[2][i]) / 3.0;
            assert!((mean - expected).abs() < 1e-6, "weight {i}: {mean} vs {expected}");
        }
    }

    #[test]
    fn the_average_of_one_checkpoint_is_that_checkpoint() {
        let device = Device::flex();
        let decoder = DecoderConfig::new(20).with_hidden_size(8).init(&device);
        assert_eq!(values(&average(std::slice::from_ref(&decoder))), values(&decoder));
    }
}
