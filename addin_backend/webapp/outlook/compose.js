import { startOutlookPane } from "/app/outlook/host.js";

startOutlookPane("compose");
