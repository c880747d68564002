/** Covariates of prediction points for non-text models. */
export { computePointFeatures, type PointFeatures, type WeightedPersonRow } from './point-features';
export { pointFeaturesTable, writePointFeatures, POINT_FEATURES_FILE } from './point-features-io';
