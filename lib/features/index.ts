/** Covariates of prediction points for non-text models. */
export { computePointFeatures, type PointFeatures } from './point-features';
export { pointFeaturesTable, readPointFeatures, writePointFeatures, POINT_FEATURES_FILE } from './point-features-io';
export { checkFeaturesAlign, type PointKeys } from './align';
