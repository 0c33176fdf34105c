import { startOutlookPane } from "/app/outlook/host.js";

startOutlookPane("read");
