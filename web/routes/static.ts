// Static assets: our CSS/JS from web/public, chart.js and its date adapter straight from node_modules (no CDN).
import path from 'node:path';
import express, { Router } from 'express';

// chart.js' exports map blocks deep requires; resolve the package entry (in dist/) and go from there.
const CHART_DIR = path.dirname(require.resolve('chart.js'));
const ADAPTER_DIR = path.dirname(require.resolve('chartjs-adapter-date-fns'));
export const VENDOR_FILES: Record<string, string> = {
  'chart.umd.min.js': path.join(CHART_DIR, 'chart.umd.min.js'),
  'chartjs-adapter-date-fns.bundle.min.js': path.join(ADAPTER_DIR, 'chartjs-adapter-date-fns.bundle.min.js'),
};

export function staticRouter(): Router {
  const router = Router();
  const maxAge = process.env.NODE_ENV === 'production' ? '1d' : 0;
  router.get('/vendor/:file', (req, res, next) => {
    const file = VENDOR_FILES[req.params.file];
    if (!file) return next();
    res.sendFile(file, { maxAge, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  });
  router.use(express.static(path.join(__dirname, '..', 'public'), { maxAge, index: false }));
  return router;
}
